(function(){
var bar=document.getElementById('filter-bar');if(!bar)return;bar.hidden=false;
var box=document.getElementById('filter'),waived=document.getElementById('show-waived'),count=document.getElementById('filter-count');
var rows=Array.prototype.slice.call(document.querySelectorAll('tr[data-search]'));
var texts=rows.map(function(r){return (r.getAttribute('data-search')+' '+r.textContent).toLowerCase();});
var groups=Array.prototype.slice.call(document.querySelectorAll('details'));
var initial=groups.map(function(d){return d.open;});
function apply(){
var terms=box.value.toLowerCase().split(/\s+/).filter(function(t){return t.length>0;});
var showWaived=waived.checked,shown=0,total=0;
rows.forEach(function(r,k){
var text=texts[k];
var ok=terms.every(function(t){return text.indexOf(t)>=0;});
if(!showWaived&&r.classList.contains('waived'))ok=false;
r.style.display=ok?'':'none';
if(r.classList.contains('finding')){total++;if(ok)shown++;}
});
groups.forEach(function(d,i){
var own=d.querySelectorAll('tr[data-search]');if(own.length===0)return;
var any=false;for(var j=0;j<own.length;j++){if(own[j].style.display!=='none'){any=true;break;}}
d.style.display=any?'':'none';
d.open=terms.length>0?any:initial[i];
});
count.textContent=(terms.length>0||!showWaived)?shown+' of '+total+' finding rows shown':'';
}
box.addEventListener('input',apply);waived.addEventListener('change',apply);
function all(open){groups.forEach(function(d){if(d.style.display!=='none')d.open=open;});}
document.getElementById('expand-all').addEventListener('click',function(){all(true);});
document.getElementById('collapse-all').addEventListener('click',function(){all(false);});
})();
